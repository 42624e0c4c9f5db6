"""COMMIT's α sweep for Hindi (footnote 6: α in {0.8, 0.9, 1.0}, chosen by EM on MLQA's validation split):
Stanford Alpaca code-mixed as commit_codemix_hi.py does (its α 0.9 is the sweep's middle point), at α 1.0.
    python codemix.py configs/commit_codemix_hi_a10.py
Then configs/commit_data_hi_a10.py, commit_sft_hi_a10.py, and configs/eval_commit_alpha.py compares the three.
"""
mode = 'instruction'
input_file = 'corpora/alpaca_data.json'
dictionary_file = 'dicts/en-hi.txt'  # MUSE
output_file = 'corpora/alpaca_commit_hi_a10.json'
alpha = 1.0  # COMMIT footnote 6
