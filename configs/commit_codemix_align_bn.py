"""COMMIT's alignment before COMMIT, for Bengali: Bengali Wikipedia (20230601 dump, plain text, a document a
line) code-mixed with MUSE's bn-en dictionary at 0.5 (COMMIT README).
    python codemix.py configs/commit_codemix_align_bn.py
"""
mode = 'align'
input_file = 'corpora/wiki_bn.txt'
dictionary_file = 'dicts/bn-en.txt'  # MUSE, Bengali first
dict_columns = 'x-en'
output_file = 'corpora/wiki_bn_codemix.txt'
align_alpha = 0.5  # COMMIT README: codemix_ratio=0.5
