"""``python -m ttsbook.gpt2 train …``: the command line of :func:`ttsbook.gpt2.training.main`."""

from .training import main

raise SystemExit(main())
