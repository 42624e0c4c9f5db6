"""COMMIT's alignment before COMMIT, for Greek: Greek Wikipedia (20230601 dump, plain text, a document a
line) code-mixed with MUSE's el-en dictionary at 0.5 (COMMIT README).
    python codemix.py configs/commit_codemix_align_el.py
"""
mode = 'align'
input_file = 'corpora/wiki_el.txt'
dictionary_file = 'dicts/el-en.txt'  # MUSE, Greek first
dict_columns = 'x-en'
output_file = 'corpora/wiki_el_codemix.txt'
align_alpha = 0.5  # COMMIT README: codemix_ratio=0.5
