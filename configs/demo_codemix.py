"""codemix.py: the demo's COMMIT data: English instructions code-mixed with the en-hi dictionary
(alpha 0.9), the Alpaca template left in English for tokenize_prep.py to add.
    python codemix.py configs/demo_codemix.py
"""
# The demo's dictionary, like MUSE's, lists words in lowercase, and its English capitalises names and
# each sentence's first word: matching case-insensitively lets those be mixed too (our choice;
# COMMIT matches exactly, which on this text would leave every name and town in English).
ignore_case = True
