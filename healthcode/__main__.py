import sys

from healthcode.cli import main

sys.exit(main())
