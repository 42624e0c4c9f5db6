"""x-LLaMA's cross-lingual instruction tuning (CoIT) for Chinese: English Alpaca, Alpaca translated to
Chinese, and English->Chinese translation-task data (x-LLaMA found English->X the better direction),
each translation pair wrapped in one of x-LLaMA's 33 instructions (tokenize_prep.TRANSLATION_INSTRUCTIONS).
    python tokenize_prep.py configs/xllama_data_coit_zh.py
Bring: alpaca_data.json (tatsu-lab), its Chinese translation, and x-LLaMA's two parallel corpora (Table 1:
WikiMatrix 786.5k + News Commentary 126.0k en-zh pairs), as OPUS's line-aligned Moses files.
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
out_dir = 'data/xllama_coit_zh'
pretrain = {}
pretrain_val = {}
sft = {'coit_zh': {'alpaca_en': {'path': 'corpora/alpaca_data.json', 'lang': 'en'},
                   'alpaca_zh': {'path': 'corpora/alpaca_data_zh.json', 'lang': 'zh'},
                   'wikimatrix_en-zh': {'path': ['corpora/WikiMatrix.en-zh.en', 'corpora/WikiMatrix.en-zh.zh'],
                                        'lang': 'en-zh'},
                   'news_en-zh': {'path': ['corpora/News-Commentary.en-zh.en', 'corpora/News-Commentary.en-zh.zh'],
                                  'lang': 'en-zh'}}}
report = {}
