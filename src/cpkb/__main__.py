from cpkb.entry import main

main()
