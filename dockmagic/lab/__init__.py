"""Teaching labs on one shared engine: the policy proxy (``python -m dockmagic.lab serve``), each
student's endpoint, and the instructor's view of the class."""
