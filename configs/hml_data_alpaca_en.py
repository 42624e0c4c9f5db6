"""How Multilingual, App. C and G: Stanford Alpaca's 52K English instructions (Alpaca-En) as the training data of
Table 14's runs, which tune LLaMA-7B on English only so that no target language's data moves the scores.
    python tokenize_prep.py configs/hml_data_alpaca_en.py
Then configs/hml_alpaca_full.py, hml_alpaca_lora.py, hml_alpaca_embed.py and hml_alpaca_layer.py (every layer,
its docstring says how), and configs/eval_hml_alpaca.py.
"""
tokenizer_path = 'models/tokenizer.model'  # LLaMA's
tokenizer_train = ''
out_dir = 'data/hml_alpaca_en'
pretrain = {}
pretrain_val = {}
sft = {'alpaca-en': {'alpaca-en': {'path': 'corpora/alpaca_data.json', 'lang': 'en'}}}  # all 52K (App. H)
report = {}
