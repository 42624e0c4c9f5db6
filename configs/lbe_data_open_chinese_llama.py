"""LLaMA Beyond English, Table 1, rows "Open Chinese LLaMA": BELLE at the paper's 1K / 5K / 950K in the tokenizer
of Open Chinese LLaMA 7B (OpenLMLab 2023; LBE "Models": 100B tokens of Chinese, English and code), which its SFT
runs start from.
    python tokenize_prep.py configs/lbe_data_open_chinese_llama.py
Bring: Open Chinese LLaMA 7B in Hugging Face's layout in models/open-chinese-llama-7b (OpenLMLab publishes it
as a patch to LLaMA 7B: apply it as its README says), and corpora/belle.json as for lbe_data_zh.py.
"""
tokenizer_path = 'models/open-chinese-llama-7b'  # a Hugging Face folder: its tokenizer, whatever its size
tokenizer_train = ''  # never train one: use the model's
out_dir = 'data/lbe_open_chinese_llama'
pretrain = {}  # instruction shards only: the model's pretraining is OpenLMLab's own
pretrain_val = {}
sft = {'belle_1k': {'belle_1k': {'path': 'corpora/belle.json', 'lang': 'zh'}},
       'belle_5k': {'belle_5k': {'path': 'corpora/belle.json', 'lang': 'zh'}},
       'belle_950k': {'belle_950k': {'path': 'corpora/belle.json', 'lang': 'zh'}}}
sft_budget = {'belle_1k': 1000, 'belle_5k': 5000, 'belle_950k': 950000}  # LBE Table 1's SFT scales
report = {'zh': 'corpora/zh_val.txt', 'en': 'corpora/en_val.txt'}
