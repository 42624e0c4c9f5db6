"""COMMIT for Greek: shards of the code-mixed Wikipedia (alignment) and of the code-mixed Alpaca (COMMIT),
with LLaMA's tokenizer.
    python tokenize_prep.py configs/commit_data_el.py
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
out_dir = 'data/commit_el'
pretrain = {'el': 'corpora/wiki_el_codemix.txt'}
pretrain_val = {}
sft = {'commit': {'alpaca_commit_el': {'path': 'corpora/alpaca_commit_el.json', 'lang': 'el'}}}
report = {}
