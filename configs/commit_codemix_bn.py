"""COMMIT for Bengali: Stanford Alpaca's 52K instructions code-mixed word by word with MUSE's en-bn
dictionary (alpha 0.9), the English template left untouched (COMMIT README).
    python codemix.py configs/commit_codemix_bn.py
"""
mode = 'instruction'
input_file = 'corpora/alpaca_data.json'
dictionary_file = 'dicts/en-bn.txt'  # MUSE
output_file = 'corpora/alpaca_commit_bn.json'
alpha = 0.9  # COMMIT README: codemix_ratio=0.9
