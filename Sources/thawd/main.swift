print("thawd")
