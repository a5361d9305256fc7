"""Images made on the server (Pillow), imported only by the code that paints one."""
