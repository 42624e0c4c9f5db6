"""COMMIT's CLM+COMMIT baseline (Table 3) for Hindi: shards of the plain Hindi Wikipedia, not code-mixed, with
LLaMA's tokenizer, for continued causal language modelling before COMMIT (configs/commit_clm_hi.py).
    python tokenize_prep.py configs/commit_data_clm_hi.py
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
out_dir = 'data/commit_clm_hi'
pretrain = {'hi': 'corpora/wiki_hi.txt'}  # the text commit_codemix_align_hi.py mixes, as it is
pretrain_val = {}
sft = {}
report = {}
