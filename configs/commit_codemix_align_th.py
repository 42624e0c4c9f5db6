"""COMMIT's alignment before COMMIT, for Thai: Thai Wikipedia (20230601 dump, plain text, a document a
line) code-mixed with MUSE's th-en dictionary at 0.5 (COMMIT README).
    python codemix.py configs/commit_codemix_align_th.py
"""
mode = 'align'
input_file = 'corpora/wiki_th.txt'
dictionary_file = 'dicts/th-en.txt'  # MUSE, Thai first
dict_columns = 'x-en'
output_file = 'corpora/wiki_th_codemix.txt'
align_alpha = 0.5  # COMMIT README: codemix_ratio=0.5
