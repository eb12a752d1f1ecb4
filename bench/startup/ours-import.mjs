// G11 (information): the cost of `import '@otelspool/sdk'` alone.
import '@otelspool/sdk';
