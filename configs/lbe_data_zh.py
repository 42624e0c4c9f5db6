"""LLaMA Beyond English (Zhao et al. 2024): Chinese and English text, and BELLE instructions at the
paper's three scales, tokenized with LLaMA's own tokenizer (LLaMA 2's is the same file): the data of
Table 1's rows "LLaMA", "LLaMA with 10K / 100K / 1M pretrain" and "LLaMA2" (lbe_sft_*).
    python tokenize_prep.py configs/lbe_data_zh.py
Bring: a Chinese corpus (the paper uses a cleaned Chinese web corpus), some English text for joint
training, and BELLE's instruction data (BelleGroup/train_0.5M_CN + train_1M_CN, Alpaca format).
"""
tokenizer_path = 'models/tokenizer.model'  # Meta's LLaMA tokenizer (32000 pieces; LLaMA 1 and 2 share it)
tokenizer_train = ''  # never train one: use Meta's
out_dir = 'data/lbe_zh'
pretrain = {'zh': 'corpora/zh/', 'en': 'corpora/en/'}  # folders of .txt / .jsonl
pretrain_val = {'zh': 'corpora/zh_val.txt', 'en': 'corpora/en_val.txt'}
sft = {'belle_1k': {'belle_1k': {'path': 'corpora/belle.json', 'lang': 'zh'}},
        'belle_5k': {'belle_5k': {'path': 'corpora/belle.json', 'lang': 'zh'}},
        'belle_950k': {'belle_950k': {'path': 'corpora/belle.json', 'lang': 'zh'}}}
sft_budget = {'belle_1k': 1000, 'belle_5k': 5000, 'belle_950k': 950000}  # the paper's SFT scales
report = {'zh': 'corpora/zh_val.txt', 'en': 'corpora/en_val.txt'}
