"""COMMIT's alignment before COMMIT, for Hindi: Hindi Wikipedia (20230601 dump, plain text, a document a
line) code-mixed with MUSE's hi-en dictionary at 0.5 (COMMIT README).
    python codemix.py configs/commit_codemix_align_hi.py
"""
mode = 'align'
input_file = 'corpora/wiki_hi.txt'
dictionary_file = 'dicts/hi-en.txt'  # MUSE, Hindi first
dict_columns = 'x-en'
output_file = 'corpora/wiki_hi_codemix.txt'
align_alpha = 0.5  # COMMIT README: codemix_ratio=0.5
