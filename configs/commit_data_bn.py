"""COMMIT for Bengali: shards of the code-mixed Wikipedia (alignment) and of the code-mixed Alpaca (COMMIT),
with LLaMA's tokenizer.
    python tokenize_prep.py configs/commit_data_bn.py
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
out_dir = 'data/commit_bn'
pretrain = {'bn': 'corpora/wiki_bn_codemix.txt'}
pretrain_val = {}
sft = {'commit': {'alpaca_commit_bn': {'path': 'corpora/alpaca_commit_bn.json', 'lang': 'bn'}}}
report = {}
