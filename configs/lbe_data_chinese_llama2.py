"""LLaMA Beyond English, Table 1, row "950k SFT / Chinese LLaMA2" (the only scale the table tunes it at): 950K
BELLE examples in the vocabulary of Chinese-LLaMA-2 7B (LBE "Models": LLaMA 2 further pretrained on 30B
Chinese tokens, its vocabulary extended), which that SFT run starts from.
    python tokenize_prep.py configs/lbe_data_chinese_llama2.py
Bring: Chinese-LLaMA-2 7B (hfl/chinese-llama-2-7b, published in Hugging Face's layout) in
models/chinese-llama-2-7b, and corpora/belle.json as for lbe_data_zh.py.
"""
tokenizer_path = 'models/chinese-llama-2-7b'  # a Hugging Face folder: its tokenizer.model
tokenizer_train = ''  # never train one: use the model's
out_dir = 'data/lbe_chinese_llama2'
pretrain = {}  # instruction shards only: the model's pretraining is Chinese-LLaMA-2's own
pretrain_val = {}
sft = {'belle_950k': {'belle_950k': {'path': 'corpora/belle.json', 'lang': 'zh'}}}
sft_budget = {'belle_950k': 950000}  # LBE Table 1's SFT scale for this row
report = {'zh': 'corpora/zh_val.txt', 'en': 'corpora/en_val.txt'}
