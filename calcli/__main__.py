from calcli.cli.entry import main

main()
