"""Signals the preview's warm site sends, for plugins that keep work across its rebuilds.

They are blinker's named signals, as Pelican's are, so a plugin connects to them as to
Pelican's; a build without the preview never sends them.
"""

from blinker import signal

# Sent with the list of generators, in the preview's process, once the whole site is read.
warm_site_read = signal("warm_site_read")
# Sent with the list of posts whose text a rebuild forked from the warm site replaced.
warm_text_taken = signal("warm_text_taken")
# Sent with the list of generators before a rebuild writes the warm site; each receiver may
# return a context manager, entered for the writing and exited after it, whatever happens.
warm_writing = signal("warm_writing")
