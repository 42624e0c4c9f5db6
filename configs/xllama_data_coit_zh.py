"""x-LLaMA's cross-lingual instruction tuning (CoIT) for Chinese: English Alpaca, Alpaca translated to
Chinese, and English->Chinese translation-task data (x-LLaMA found English->X the better direction),
each translation pair wrapped in one of x-LLaMA's 33 instructions (tokenize_prep.TRANSLATION_INSTRUCTIONS).
    python tokenize_prep.py configs/xllama_data_coit_zh.py
Bring: alpaca_data.json (tatsu-lab), its Chinese translation (x-LLaMA releases one), and an en-zh
parallel corpus (x-LLaMA uses News Commentary) as two line-aligned files.
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
out_dir = 'data/xllama_coit_zh'
pretrain = {}
pretrain_val = {}
sft = {'coit_zh': {'alpaca_en': {'path': 'corpora/alpaca_data.json', 'lang': 'en'},
                   'alpaca_zh': {'path': 'corpora/alpaca_data_zh.json', 'lang': 'zh'},
                   'news_en-zh': {'path': ['corpora/news.en', 'corpora/news.zh'], 'lang': 'en-zh'}}}
report = {}
