"""COMMIT for Hindi: Stanford Alpaca's 52K instructions code-mixed word by word with MUSE's en-hi
dictionary (alpha 0.9), the English template left untouched (COMMIT README).
    python codemix.py configs/commit_codemix_hi.py
"""
mode = 'instruction'
input_file = 'corpora/alpaca_data.json'
dictionary_file = 'dicts/en-hi.txt'  # MUSE
output_file = 'corpora/alpaca_commit_hi.json'
alpha = 0.9  # COMMIT README: codemix_ratio=0.9
