from segtui.cli import main

if __name__ == "__main__":  # not when a spawned child (core/read_ahead.py) imports it
    main()
