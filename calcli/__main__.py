from calcli.cli.app import main

main()
