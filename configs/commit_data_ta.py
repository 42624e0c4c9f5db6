"""COMMIT for Tamil: shards of the code-mixed Wikipedia (alignment) and of the code-mixed Alpaca (COMMIT),
with LLaMA's tokenizer.
    python tokenize_prep.py configs/commit_data_ta.py
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
out_dir = 'data/commit_ta'
pretrain = {'ta': 'corpora/wiki_ta_codemix.txt'}
pretrain_val = {}
sft = {'commit': {'alpaca_commit_ta': {'path': 'corpora/alpaca_commit_ta.json', 'lang': 'ta'}}}
report = {}
