from devrelbot.cli import main

main()
