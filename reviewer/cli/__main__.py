from reviewer.cli.commands import main

main()
