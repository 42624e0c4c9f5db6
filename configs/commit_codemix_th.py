"""COMMIT for Thai: Stanford Alpaca's 52K instructions code-mixed word by word with MUSE's en-th
dictionary (alpha 0.9), the English template left untouched (COMMIT README).
    python codemix.py configs/commit_codemix_th.py
"""
mode = 'instruction'
input_file = 'corpora/alpaca_data.json'
dictionary_file = 'dicts/en-th.txt'  # MUSE
output_file = 'corpora/alpaca_commit_th.json'
alpha = 0.9  # COMMIT README: codemix_ratio=0.9
