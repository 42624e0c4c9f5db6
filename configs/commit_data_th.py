"""COMMIT for Thai: shards of the code-mixed Wikipedia (alignment) and of the code-mixed Alpaca (COMMIT),
with LLaMA's tokenizer.
    python tokenize_prep.py configs/commit_data_th.py
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
out_dir = 'data/commit_th'
pretrain = {'th': 'corpora/wiki_th_codemix.txt'}
pretrain_val = {}
sft = {'commit': {'alpaca_commit_th': {'path': 'corpora/alpaca_commit_th.json', 'lang': 'th'}}}
report = {}
