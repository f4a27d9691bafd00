"""Result objects that show themselves: HTML in notebooks, aligned text in terminals."""
