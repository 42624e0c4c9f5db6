"""How Multilingual is Multilingual LLM? (Yuan et al. 2023): 10K English->Hindi translation pairs as
bilingual instruction data; set `shorten` to drop the shared <0xE0> byte token of Devanagari
(the paper's sec. 4.3) and compare.
    python tokenize_prep.py configs/hml_data_hi.py
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
out_dir = 'data/hml_hi'
pretrain = {}
pretrain_val = {}
sft = {'en-hi': {'en-hi': {'path': ['corpora/en-hi.en', 'corpora/en-hi.hi'], 'lang': 'en-hi'}}}
sft_budget = {'en-hi': 10000}  # the paper's 10K pairs
shorten = {}  # {'hi': 0xE0} for the shortened variant
report = {'hi': 'corpora/en-hi.hi', 'en': 'corpora/en-hi.en'}
