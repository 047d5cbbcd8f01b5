from cpkb.cli import main

main()
