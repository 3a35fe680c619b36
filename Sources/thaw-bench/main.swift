print("thaw-bench")
