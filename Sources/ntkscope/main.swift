print("ntkscope")
