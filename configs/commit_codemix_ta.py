"""COMMIT for Tamil: Stanford Alpaca's 52K instructions code-mixed word by word with MUSE's en-ta
dictionary (alpha 0.9), the English template left untouched (COMMIT README).
    python codemix.py configs/commit_codemix_ta.py
"""
mode = 'instruction'
input_file = 'corpora/alpaca_data.json'
dictionary_file = 'dicts/en-ta.txt'  # MUSE
output_file = 'corpora/alpaca_commit_ta.json'
alpha = 0.9  # COMMIT README: codemix_ratio=0.9
