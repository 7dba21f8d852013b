from segtui.cli import main

main()
