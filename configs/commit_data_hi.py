"""COMMIT for Hindi: shards of the code-mixed Wikipedia (alignment) and of the code-mixed Alpaca (COMMIT),
with LLaMA's tokenizer.
    python tokenize_prep.py configs/commit_data_hi.py
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
out_dir = 'data/commit_hi'
pretrain = {'hi': 'corpora/wiki_hi_codemix.txt'}
pretrain_val = {}
sft = {'commit': {'alpaca_commit_hi': {'path': 'corpora/alpaca_commit_hi.json', 'lang': 'hi'}}}
report = {}
