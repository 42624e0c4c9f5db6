"""COMMIT's alignment before COMMIT, for Tamil: Tamil Wikipedia (20230601 dump, plain text, a document a
line) code-mixed with MUSE's ta-en dictionary at 0.5 (COMMIT README).
    python codemix.py configs/commit_codemix_align_ta.py
"""
mode = 'align'
input_file = 'corpora/wiki_ta.txt'
dictionary_file = 'dicts/ta-en.txt'  # MUSE, Tamil first
dict_columns = 'x-en'
output_file = 'corpora/wiki_ta_codemix.txt'
align_alpha = 0.5  # COMMIT README: codemix_ratio=0.5
