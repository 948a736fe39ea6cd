"""The prompt templates, shipped as package data and read with importlib.resources (see extractor/llm/prompts.py)."""
