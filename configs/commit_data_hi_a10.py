"""COMMIT's α sweep for Hindi: the instruction shard of Alpaca code-mixed at α 1.0 (configs/commit_codemix_hi_a10.py),
with LLaMA's tokenizer. The aligned model it tunes comes from commit_data_hi.py's Wikipedia shard.
    python tokenize_prep.py configs/commit_data_hi_a10.py
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
out_dir = 'data/commit_hi_a10'
pretrain = {}
pretrain_val = {}
sft = {'commit': {'alpaca_commit_hi_a10': {'path': 'corpora/alpaca_commit_hi_a10.json', 'lang': 'hi'}}}
report = {}
