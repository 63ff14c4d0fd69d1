server: s = socket(AF_INET, SOCK_STREAM)
server: lisen(s, 5)
client: send(s, "a\qb")
end
