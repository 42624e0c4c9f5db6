"""LLaMA Beyond English, Table 1, rows "Chinese LLaMA": BELLE at the paper's 1K / 5K / 950K in the vocabulary of
Chinese-LLaMA-Plus 7B (LBE "Models": 30B Chinese tokens, 49,953 pieces), which its SFT runs start from.
    python tokenize_prep.py configs/lbe_data_chinese_llama.py
Bring: Chinese-LLaMA-Plus 7B in Hugging Face's layout in models/chinese-llama-plus-7b (hfl publishes LoRA weights:
Chinese-LLaMA-Alpaca's scripts/merge_llama_with_chinese_lora.py --output_type huggingface merges them into
LLaMA 7B), and corpora/belle.json as for lbe_data_zh.py.
"""
tokenizer_path = 'models/chinese-llama-plus-7b'  # a Hugging Face folder: its tokenizer.model
tokenizer_train = ''  # never train one: use the model's
out_dir = 'data/lbe_chinese_llama'
pretrain = {}  # instruction shards only: the model's pretraining is Chinese-LLaMA's own
pretrain_val = {}
sft = {'belle_1k': {'belle_1k': {'path': 'corpora/belle.json', 'lang': 'zh'}},
       'belle_5k': {'belle_5k': {'path': 'corpora/belle.json', 'lang': 'zh'}},
       'belle_950k': {'belle_950k': {'path': 'corpora/belle.json', 'lang': 'zh'}}}
sft_budget = {'belle_1k': 1000, 'belle_5k': 5000, 'belle_950k': 950000}  # LBE Table 1's SFT scales
report = {'zh': 'corpora/zh_val.txt', 'en': 'corpora/en_val.txt'}
