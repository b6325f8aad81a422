from omzien.cli import main

raise SystemExit(main())
