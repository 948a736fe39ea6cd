"""Language-model extraction: prompts + instructor over any OpenAI-compatible endpoint + retries + cache."""
