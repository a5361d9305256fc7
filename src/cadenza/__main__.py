from cadenza.entry import main

main()
