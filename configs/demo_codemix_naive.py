"""codemix.py: COMMIT's naive baseline (their Table 4) on the demo: the whole Alpaca prompt mixed,
template included ("### Response:" becomes "### जवाब:" nine times in ten).
    python codemix.py configs/demo_codemix_naive.py
"""
naive = True
ignore_case = True  # as configs/demo_codemix.py
output_file = 'out/demo/codemix/alpaca_en_naive_hi.json'
