"""Exporting verified banks for learning-management systems: Moodle XML, GIFT, QTI 2.1, Canvas.

`shared` selects the questions and verifies each (and each drawn variant) once; one module
per format turns the verified items into a file; `maxima` prints formulas for STACK.
"""
