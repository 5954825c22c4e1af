print("cardgenius")
