from omzien.bot.cli import main

raise SystemExit(main())
