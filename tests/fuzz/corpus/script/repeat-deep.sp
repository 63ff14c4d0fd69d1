repeat 1000000
repeat 1000000
repeat 1000000
repeat 2
repeat 2
repeat 2
repeat 2
repeat 2
client: c = socket(AF_INET, SOCK_DGRAM)
end
end
end
end
end
end
end
end
