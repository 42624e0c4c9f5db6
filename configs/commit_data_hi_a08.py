"""COMMIT's α sweep for Hindi: the instruction shard of Alpaca code-mixed at α 0.8 (configs/commit_codemix_hi_a08.py),
with LLaMA's tokenizer. The aligned model it tunes comes from commit_data_hi.py's Wikipedia shard.
    python tokenize_prep.py configs/commit_data_hi_a08.py
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
out_dir = 'data/commit_hi_a08'
pretrain = {}
pretrain_val = {}
sft = {'commit': {'alpaca_commit_hi_a08': {'path': 'corpora/alpaca_commit_hi_a08.json', 'lang': 'hi'}}}
report = {}
